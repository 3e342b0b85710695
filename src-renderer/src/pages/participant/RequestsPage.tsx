import { PageHeader } from '../../components/page';

export function RequestsPage() {
  return <PageHeader title="RequestsPage" description="Coming soon." />;
}
