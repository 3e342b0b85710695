import { PageHeader } from '../../components/page';

export function ExperimentPage() {
  return <PageHeader title="ExperimentPage" description="Coming soon." />;
}
