// PLACEHOLDER: issue 8 (UI, assessments)
export function AssessmentHistoryPage({ caseId }: { caseId: string }) {
  return <h1 tabIndex={-1}>{caseId}</h1>;
}
