// PLACEHOLDER: the engine work (issue 6) replaces this page.
export function ComplianceRulesPage() {
  return <p>…</p>;
}
