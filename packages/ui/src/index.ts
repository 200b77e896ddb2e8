export { Badge, type BadgeTone } from "./badge";
export { Button, type ButtonProps, type ButtonSize, type ButtonVariant } from "./button";
export { Card, type CardProps } from "./card";
export { cn } from "./cn";
export {
  DataTable,
  type ColumnDef,
  type ColumnFiltersState,
  type DataTableProps,
  type RowSelectionState,
  type SortingState,
  type VisibilityState,
} from "./data-table";
export { Field, type FieldProps } from "./field";
export { EmptyState, ErrorState, Loading, Skeleton } from "./states";
export { Dialog, type DialogProps } from "./dialog";
export { Notice, type NoticeTone } from "./notice";
export { SelectField, type SelectFieldProps } from "./select-field";
export { TextAreaField, type TextAreaFieldProps } from "./textarea-field";
