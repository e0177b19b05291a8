import { describe, expect, it } from "vitest";
import { en } from "./en";
import { es } from "./es";
import { translate } from "./index";

describe("catalogues", () => {
  it("Spanish has every English key, each with the same placeholders", () => {
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(es[key], key).toBeTruthy();
      expect(placeholders(es[key]), key).toEqual(placeholders(en[key]));
    }
  });

  it("interpolates variables", () => {
    expect(translate("en", "partner.triesLeft", { n: 3 })).toBe("Wrong code. 3 tries left.");
    expect(translate("es", "partner.triesLeft", { n: 3 })).toBe(
      "Código incorrecto. Quedan 3 intentos.",
    );
  });
});
