// PLACEHOLDER: the responses work (issue 6) replaces this page.
export function ComplaintsPage() {

  return <p>…</p>;
}
