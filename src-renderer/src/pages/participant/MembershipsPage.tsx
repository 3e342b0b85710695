import { PageHeader } from '../../components/page';

export function MembershipsPage() {
  return <PageHeader title="MembershipsPage" description="Coming soon." />;
}
