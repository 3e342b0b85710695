import { PageHeader } from '../../components/page';

export function CollaborationsPage() {
  return <PageHeader title="CollaborationsPage" description="Coming soon." />;
}
