// Words for registering data: what each kind of data is for, and what to do about a problem the
// app found in a file or a query.
import { Alert, Code, Stack, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import type { TagKind } from '../../../../src-main/contract/records';
import type { ApiCallError } from '../../api/client';
import { TAG_KIND_LABELS } from '../../components/describe';

export const KIND_SHORT: Record<TagKind, string> = { train: 'Train', evaluate: 'Evaluate', predict: 'Predict' };
export const KIND_ARTICLE: Record<TagKind, string> = { train: 'A training', evaluate: 'An evaluation', predict: 'A prediction' };

export function kindSentence(kind: TagKind, target: string) {
  switch (kind) {
    case 'train':
      return (
        <>
          The model learns from these rows, on this computer. The file must include the target column <Code>{target}</Code>.
        </>
      );
    case 'evaluate':
      return (
        <>
          Rows kept aside to measure how well a model works on your patients; they are never trained on. The file must include <Code>{target}</Code>.
        </>
      );
    case 'predict':
      return (
        <>
          Rows whose outcome is not known yet: when a run finishes, the model writes its predictions for them into a file on this computer. <Code>{target}</Code> is not
          needed.
        </>
      );
  }
}

/** What to do about a file problem the app reported. */
function fileHint(error: ApiCallError, kind: TagKind, query: boolean): string | undefined {
  if (query && error.code === 'TARGET_MISSING' && kind !== 'predict') {
    return `${TAG_KIND_LABELS[kind]} must include the project’s target column: select it in the query (… AS the target’s name), or choose “Predict” if there are no outcomes.`;
  }
  switch (error.code) {
    case 'FILE_NOT_FOUND':
      return 'Check the path: it must point to a CSV or Parquet file on this computer.';
    case 'QUERY_FAILED':
      return 'Check the query and the connection (Test it below), then preview again.';
    case 'SECRET_LOCKED':
      return 'The stored password cannot be opened here: save the connection again with its password.';
    case 'TARGET_MISSING':
      return kind === 'predict' ? undefined : `${TAG_KIND_LABELS[kind]} must include the project’s target column. Add it to the file, or choose “Predict” if this file has no outcomes.`;
    case 'NOT_NUMERIC':
    case 'NOT_BOOLEAN':
      return 'Fix the value in the file, or give the column a different kind, then try again.';
    case 'RAGGED_ROW':
    case 'CSV_SYNTAX':
    case 'DUPLICATE_COLUMN':
    case 'EMPTY_COLUMN_NAME':
    case 'NO_HEADER':
    case 'INVALID_UTF8':
      return 'Fix the file (for example in a spreadsheet, saved as CSV UTF-8), then preview it again.';
    default:
      return undefined;
  }
}

export function FileProblem({ error, kind, title, query = false }: { error: ApiCallError; kind: TagKind; title: string; query?: boolean }) {
  const hint = fileHint(error, kind, query);
  return (
    <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} title={title} role="alert" tabIndex={-1} data-file-problem>
      <Stack gap={4}>
        <Text size="sm" fw={500} style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
          {error.message}
        </Text>
        {hint && <Text size="sm">{hint}</Text>}
      </Stack>
    </Alert>
  );
}
