// PLACEHOLDER: the alerts work (issue 6) replaces this page.
export function AlertPage({ id }: { id: string }) {
  void id;
  return <p>…</p>;
}
