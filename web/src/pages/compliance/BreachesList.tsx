// PLACEHOLDER: the breaches work (issue 6) replaces this page.
export function BreachesListPage() {

  return <p>…</p>;
}
