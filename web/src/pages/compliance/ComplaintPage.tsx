// PLACEHOLDER: the responses work (issue 6) replaces this page.
export function ComplaintPage({ id }: { id: string }) {
  void id;
  return <p>…</p>;
}
