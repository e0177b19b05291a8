import { logOutPartner, logOutSeller } from "../client/sdk.gen";
import { getSession, setSession } from "./session";

/** Revoke the token at the API (best effort) and forget it here. */
export async function logOut(): Promise<void> {
  const session = getSession();
  if (session) {
    try {
      await (session.role === "seller" ? logOutSeller() : logOutPartner());
    } catch {
      // the token is dropped locally whatever the API says
    }
  }
  setSession(null);
}
