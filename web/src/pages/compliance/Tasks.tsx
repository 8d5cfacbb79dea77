// PLACEHOLDER: the alerts work (issue 6) replaces this page.
export function TasksPage() {

  return <p>…</p>;
}
