// PLACEHOLDER: issue 8 (UI, instruments)
export function CertificationsPage() {
  return <h1 tabIndex={-1}>Certifications</h1>;
}
