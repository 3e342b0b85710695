import { PageHeader } from '../../components/page';

export function LocalModelsPage() {
  return <PageHeader title="LocalModelsPage" description="Coming soon." />;
}
