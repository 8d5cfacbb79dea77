// PLACEHOLDER: issue 8 (UI, assessments)
export function AssessmentsQueuePage() {
  return <h1 tabIndex={-1}>Assessments</h1>;
}
