import { beforeAll, describe, expect, it } from "vitest";
import { loadCatalogue, type Translate, translate } from "../i18n";
import { describeEvent } from "./descriptions";

describe("describeEvent", () => {
  const es: Translate = (key, vars) => translate("es", key, vars);
  beforeAll(async () => {
    await loadCatalogue("es");
  });

  it("puts the system's own descriptions in the reader's language", () => {
    expect(describeEvent("Shipment placed", es)).toBe("Envío registrado");
    expect(describeEvent("Assigned to delivery partner Swift Couriers", es)).toBe(
      "Asignado al repartidor Swift Couriers",
    );
    expect(describeEvent("Cancelled by the seller", es)).toBe("Cancelado por el vendedor");
  });

  it("shows a person's note as written", () => {
    expect(describeEvent("Left with the neighbour at no. 12", es)).toBe(
      "Left with the neighbour at no. 12",
    );
  });
});
