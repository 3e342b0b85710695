import { Badge } from '@mantine/core';
import type { RunStatus } from '../../../src-main/contract/records';

const RUN_COLORS: Record<RunStatus, string> = {
  defined: 'gray',
  waiting: 'yellow',
  'awaiting-approval': 'yellow',
  aligning: 'blue',
  training: 'blue',
  evaluating: 'blue',
  exporting: 'blue',
  completed: 'green',
  failed: 'red',
  cancelled: 'orange',
  interrupted: 'grape',
};

const RUN_LABELS: Record<RunStatus, string> = {
  defined: 'Not started',
  waiting: 'Waiting for participants',
  'awaiting-approval': 'Awaiting approval',
  aligning: 'Aligning features',
  training: 'Training',
  evaluating: 'Evaluating',
  exporting: 'Exporting',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
  interrupted: 'Interrupted — can be resumed',
};

export function RunStatusBadge({ status }: { status: RunStatus }) {
  return (
    <Badge color={RUN_COLORS[status]} variant="light" data-status={status}>
      {RUN_LABELS[status]}
    </Badge>
  );
}

export function OnlineBadge({ online }: { online: boolean }) {
  return (
    <Badge color={online ? 'green' : 'gray'} variant="dot">
      {online ? 'Online' : 'Offline'}
    </Badge>
  );
}
