import { describe, expect, it } from "vitest";
import type { Notice } from "./bindings/Notice";
import { describeNotices, MAX_SEPARATE } from "./notices";

const active: Notice = { kind: "customerApproved", customerId: "cust_1", name: "Maria Souza" };
const rejected: Notice = {
  kind: "itemRejected",
  customerId: "cust_2",
  name: "João Lima",
  itemType: "selfie",
  description: "Selfie",
  message: "Rosto encoberto",
};

describe("describeNotices", () => {
  it("words each notice in the user's language, with the customer to open", () => {
    expect(describeNotices("en", [active, rejected])).toEqual([
      {
        title: "KYC approved",
        body: "Maria Souza completed KYC: the step after it is open.",
        customerId: "cust_1",
        tone: "good",
      },
      { title: "Rejected: Selfie", body: "João Lima: Rosto encoberto", customerId: "cust_2", tone: "bad" },
    ]);
    const pt = describeNotices("pt-BR", [active, rejected]);
    expect(pt.map((n) => n.title)).toEqual(["KYC aprovado", "Item rejeitado: Selfie"]);
    expect(pt[0]?.body).toBe("Maria Souza concluiu o KYC: a etapa seguinte está aberta.");
  });

  it("leaves out a missing review message instead of printing a placeholder", () => {
    const [n] = describeNotices("en", [{ ...rejected, message: null }]);
    expect(n?.body).toBe("João Lima");
  });

  it("sums up a burst (after a long time offline) in one notification", () => {
    const burst = [active, rejected, rejected, active, rejected];
    expect(burst.length).toBeGreaterThan(MAX_SEPARATE);
    expect(describeNotices("en", burst)).toEqual([
      {
        title: "5 KYC updates",
        body: "2 customers were approved; 3 items were rejected.",
        customerId: null,
        tone: "info",
      },
    ]);
    expect(describeNotices("en", burst.slice(0, MAX_SEPARATE))).toHaveLength(MAX_SEPARATE);
  });
});
