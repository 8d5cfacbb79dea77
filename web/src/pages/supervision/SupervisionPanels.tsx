// The supervision cards of the case page: the supervision level (and whether its minimum is met),
// the supervision plan, the person's appointments and their contacts. A change in one (an
// outcome recorded, say) asks the others again, since contacts count towards the level's minimum.
import { useState } from 'preact/hooks';
import { useLoad } from '../../hooks';
import { useSession } from '../../session';
import type { CaseRecord } from '../cases/model';
import { AppointmentsCard } from './Appointments';
import { loadConditions } from './common';
import { ContactsCard } from './Contacts';
import { LevelCard } from './Level';
import { PlanCard } from './Plan';
import './supervision.css';

export interface CasePanelProps {
  record: CaseRecord;
  headers: Record<string, string>;
  onChanged: () => void;
}

export function SupervisionPanels({ record: c, headers, onChanged }: CasePanelProps) {
  const { can } = useSession();
  const [tick, setTick] = useState(0);
  const conditions = useLoad((signal) => loadConditions(c.id, headers, signal).catch(() => []), [c.id]);
  const canWrite = can('supervision.write') && c.status !== 'closed';
  const changed = () => {
    setTick((n) => n + 1);
    onChanged();
  };
  const list = conditions.data ?? [];
  return (
    <>
      <LevelCard caseId={c.id} canWrite={canWrite} headers={headers} tick={tick} onChanged={changed} />
      <PlanCard caseId={c.id} unitId={c.unit_id} canWrite={canWrite} headers={headers} onChanged={changed} />
      <AppointmentsCard caseId={c.id} canWrite={canWrite} headers={headers} tick={tick} conditions={list} onChanged={changed} />
      <ContactsCard caseId={c.id} canWrite={canWrite} headers={headers} tick={tick} conditions={list} onChanged={changed} />
    </>
  );
}
