// PLACEHOLDER: the alerts work (issue 6) replaces this page.
export function AlertsQueuePage() {

  return <p>…</p>;
}
