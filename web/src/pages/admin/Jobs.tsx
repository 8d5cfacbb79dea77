// PLACEHOLDER: the engine work (issue 6) replaces this page.
export function JobsPage() {
  return <p>…</p>;
}
