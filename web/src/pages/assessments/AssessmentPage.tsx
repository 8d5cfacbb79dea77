// PLACEHOLDER: issue 8 (UI, assessments)
export function AssessmentPage({ id }: { id: string }) {
  return <h1 tabIndex={-1}>{id}</h1>;
}
