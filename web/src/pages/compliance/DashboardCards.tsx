// PLACEHOLDER: the alerts work (issue 6) replaces these dashboard cards.
export function ComplianceDashboardCards() {
  return null;
}
