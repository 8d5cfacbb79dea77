// PLACEHOLDER: the responses work (issue 6) replaces this dashboard card.
export function ResponseRatioCard() {
  return null;
}
