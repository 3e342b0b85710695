import { PageHeader } from '../../components/page';

export function ProjectPage() {
  return <PageHeader title="ProjectPage" description="Coming soon." />;
}
