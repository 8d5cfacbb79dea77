// PLACEHOLDER: issue 8 (UI, instruments)
export function InstrumentsPage() {
  return <h1 tabIndex={-1}>Instruments</h1>;
}
