import dgram from "node:dgram";
import { expect, test, type Page } from "@playwright/test";
// @ts-expect-error: dns-packet ships no types
import dnsPacket from "dns-packet";
import { signUpConfirmed, watchForProblems } from "./support";

/**
 * The registry of `registry.test`, which no machine here can reach: a
 * stand-in on the port ./scripts/test points ksf dns's delegation check
 * at. It names its own server (127.0.0.1) and refers each child to the
 * name servers the test sets, as a TLD's servers do.
 */
function registry(port: number) {
  const delegations = new Map<string, string[]>();
  const socket = dgram.createSocket("udp4");
  socket.on("message", (msg, from) => {
    let query;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return;
    }
    const question = query.questions?.[0];
    if (!question) return;
    const name = String(question.name).toLowerCase().replace(/\.$/, "");
    const reply: Record<string, unknown> = {
      type: "response",
      id: query.id,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | (query.flags & dnsPacket.RECURSION_DESIRED),
      questions: query.questions,
      answers: [] as unknown[],
      authorities: [] as unknown[],
    };
    if (name === "registry.test" && question.type === "NS") {
      reply.answers = [{ type: "NS", name, ttl: 60, data: "ns.registry.test" }];
    } else if (name === "ns.registry.test" && question.type === "A") {
      reply.answers = [{ type: "A", name, ttl: 60, data: "127.0.0.1" }];
    } else if (name.endsWith(".registry.test") && question.type === "NS") {
      const hosts = delegations.get(name) ?? [];
      reply.flags = query.flags & dnsPacket.RECURSION_DESIRED;
      if (hosts.length === 0) reply.rcode = "NXDOMAIN";
      reply.authorities = hosts.map((data) => ({ type: "NS", name, ttl: 60, data }));
    }
    // Anything else: no such data (as the Rust suite's stand-in answers).
    socket.send(dnsPacket.encode(reply), from.port, from.address);
  });
  return {
    listening: new Promise<void>((resolve) => socket.bind(port, "127.0.0.1", resolve)),
    delegate: (zone: string, hosts: string[]) => delegations.set(zone, hosts),
    close: () => socket.close(),
  };
}

async function statusOf(page: Page, domain: string) {
  await page.goto(`/domains/${domain}`);
  return (await page.getByRole("heading", { level: 1 }).textContent()) ?? "";
}

test("a new domain goes live only when its registry points at its own name servers", async ({ page }) => {
  // The check runs every 10 s in the test set-up: a few rounds.
  test.setTimeout(150_000);
  const stand_in = registry(Number(process.env.KSF_E2E_REGISTRY_PORT ?? 5399));
  await stand_in.listening;
  try {
    await signUpConfirmed(page, "Reggie Registrant", "registry passphrase 1");
    const stamp = Date.now();
    await page.goto("/hosting/new");
    await page.getByLabel("Name").fill("Registry Shop");
    await page.getByRole("radio", { name: /Hobby/ }).check();
    await page.getByLabel("Primary domain").fill(`shop${stamp}.example.org`);
    await page.getByLabel("Region").selectOption({ label: "Europe — Dublin" });
    await page.getByRole("button", { name: "Create hosting account" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Registry Shop" })).toBeVisible();

    const problems = watchForProblems(page);
    const domain = `mine${stamp}.registry.test`;
    await page.goto("/domains");
    await page.getByLabel("Hosting account").selectOption({ index: 0 });
    await page.getByLabel("Domain name").fill(domain);
    await page.getByRole("button", { name: "Add domain" }).click();
    await expect(page.getByRole("heading", { level: 1, name: domain })).toContainText("Pending delegation");

    // Its own two name servers, to set at the registrar.
    const listed = page.locator("ul.nameservers li code");
    await expect(listed).toHaveCount(2);
    const own = (await listed.allTextContents()).map((s) => s.trim());
    for (const ns of own) expect(ns).toMatch(/^ns-[a-z0-9]{8}\.ns\.example\.net$/);

    // The platform's shared names prove nothing: still pending after a check.
    stand_in.delegate(domain, ["ns1.example.net", "ns2.example.net"]);
    await expect
      .poll(async () => (await page.goto(`/domains/${domain}`), await page.locator("body").textContent()), {
        timeout: 40_000,
        intervals: [2_000],
      })
      .toContain("The registry points at ns1.example.net, ns2.example.net instead of");
    expect(await statusOf(page, domain)).toContain("Pending delegation");

    // Pointed at its own names: live within a round or two.
    stand_in.delegate(domain, own);
    await expect
      .poll(() => statusOf(page, domain), { timeout: 40_000, intervals: [2_000] })
      .toContain("Active");
    await expect(page.getByText("This domain is delegated to our name servers:")).toBeVisible();
    expect(problems).toEqual([]);
  } finally {
    stand_in.close();
  }
});
