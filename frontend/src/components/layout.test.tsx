import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { useT } from "../i18n";
import { renderWithProviders } from "../test/utils";
import { LanguageSwitch } from "./layout";

function Probe() {
  const t = useT();
  return <p>{t("landing.login")}</p>;
}

describe("LanguageSwitch", () => {
  it("switches the UI language and remembers it", async () => {
    const user = userEvent.setup();
    renderWithProviders(
      <>
        <LanguageSwitch />
        <Probe />
      </>,
    );
    expect(screen.getByText("Log in")).toBeInTheDocument();
    await user.selectOptions(screen.getByLabelText("Language"), "es");
    expect(await screen.findByText("Iniciar sesión")).toBeInTheDocument();
    expect(localStorage.getItem("fastship.lang")).toBe("es");
    expect(screen.getByLabelText("Idioma")).toHaveValue("es");
  });
});
