// Shows the router's current path, so a test can see where a screen navigated.
import { useLocation } from 'react-router';

export function CurrentPath() {
  return <output data-testid="current-path">{useLocation().pathname}</output>;
}
