// PLACEHOLDER: the release (UI) engineer replaces this page.
export function ReleasePlanPage(_props: { caseId: string }) {
  return <p>PLACEHOLDER</p>;
}
