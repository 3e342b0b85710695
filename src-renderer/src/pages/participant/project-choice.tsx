// The project a participant page is about: chosen in the URL (?project=), or the only one there
// is; and the select that changes it, grouped by collaboration. Shared by the data and the
// "What was shared" pages.
import { Select } from '@mantine/core';
import { useMemo } from 'react';
import { useSearchParams } from 'react-router';
import type { ApiTypes } from '../../../../src-main/contract/api';
import { useQuery } from '../../api/react';

type MembershipView = ApiTypes['MembershipView'];

export function useProjectChoice() {
  const [params, setParams] = useSearchParams();
  const memberships = useQuery('memberships.list', {}, ['memberships']);
  const options = useMemo(
    () => (memberships.data ?? []).flatMap((view) => view.projects.map((project) => ({ project, collaboration: view.collaboration }))),
    [memberships.data],
  );
  const wanted = params.get('project');
  const selected = options.find((option) => option.project.id === (wanted ?? (options.length === 1 ? options[0]!.project.id : null)));
  return { memberships, options, wanted, selected, choose: (projectId: string) => setParams({ project: projectId }) };
}

export function ProjectSelect({ views, selectedId, onChange }: { views: readonly MembershipView[]; selectedId: string | null; onChange: (projectId: string) => void }) {
  return (
    <Select
      label="Project"
      placeholder="Choose a project"
      w={{ base: '100%', sm: 380 }}
      allowDeselect={false}
      value={selectedId}
      onChange={(value) => value && onChange(value)}
      data={views.filter((view) => view.projects.length > 0).map((view) => ({ group: view.collaboration.name, items: view.projects.map((project) => ({ value: project.id, label: project.name })) }))}
    />
  );
}
