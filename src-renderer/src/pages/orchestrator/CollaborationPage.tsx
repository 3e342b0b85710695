import { PageHeader } from '../../components/page';

export function CollaborationPage() {
  return <PageHeader title="CollaborationPage" description="Coming soon." />;
}
