// PLACEHOLDER: the release (UI) engineer replaces this page.
export function ReleasePlanningList() {
  return <p>PLACEHOLDER</p>;
}
