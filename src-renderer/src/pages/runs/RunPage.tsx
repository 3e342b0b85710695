import { PageHeader } from '../../components/page';

export function RunPage() {
  return <PageHeader title="RunPage" description="Coming soon." />;
}
