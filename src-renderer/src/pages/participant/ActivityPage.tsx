import { PageHeader } from '../../components/page';

export function ActivityPage() {
  return <PageHeader title="ActivityPage" description="Coming soon." />;
}
