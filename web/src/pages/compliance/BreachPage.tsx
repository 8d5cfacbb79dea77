// PLACEHOLDER: the breaches work (issue 6) replaces this page.
export function BreachPage({ id }: { id: string }) {
  void id;
  return <p>…</p>;
}
