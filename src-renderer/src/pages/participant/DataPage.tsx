import { PageHeader } from '../../components/page';

export function DataPage() {
  return <PageHeader title="DataPage" description="Coming soon." />;
}
