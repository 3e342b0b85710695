// Loads the jsdom shims only in the files that run in jsdom (the UI component tests).
if (typeof window !== 'undefined') await import('./setup');
export {};
