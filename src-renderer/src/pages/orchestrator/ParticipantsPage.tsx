import { PageHeader } from '../../components/page';

export function ParticipantsPage() {
  return <PageHeader title="ParticipantsPage" description="Coming soon." />;
}
