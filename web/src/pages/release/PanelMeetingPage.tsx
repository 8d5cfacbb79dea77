// PLACEHOLDER: the release (UI) engineer replaces this page.
export function PanelMeetingPage(_props: { id: string }) {
  return <p>PLACEHOLDER</p>;
}
