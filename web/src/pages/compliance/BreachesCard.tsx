// PLACEHOLDER: the breaches work (issue 6) replaces this case-page card.
import type { CasePanelProps } from '../supervision/SupervisionPanels';

export function BreachesCard(props: CasePanelProps) {
  void props;
  return null;
}
