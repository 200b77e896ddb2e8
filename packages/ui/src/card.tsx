import type { HTMLAttributes, ReactNode } from "react";
import { cn } from "./cn";

export interface CardProps extends Omit<HTMLAttributes<HTMLElement>, "title"> {
  title?: ReactNode;
  description?: ReactNode;
  /** Buttons or links shown at the right of the title. */
  actions?: ReactNode;
  children?: ReactNode;
}

/** A titled panel; a `section` labelled by its title when it has one. */
export function Card({ title, description, actions, className, children, ...rest }: CardProps) {
  const headingId = rest.id ? `${rest.id}-title` : undefined;
  return (
    <section
      aria-labelledby={title && headingId ? headingId : undefined}
      className={cn("rounded-lg border border-slate-200 bg-white p-4 shadow-sm", className)}
      {...rest}
    >
      {title || actions ? (
        <header className="mb-3 flex items-start justify-between gap-4">
          <div>
            {title ? (
              <h2 id={headingId} className="text-base font-semibold text-slate-900">
                {title}
              </h2>
            ) : null}
            {description ? <p className="text-sm text-slate-600">{description}</p> : null}
          </div>
          {actions ? <div className="flex gap-2">{actions}</div> : null}
        </header>
      ) : null}
      {children}
    </section>
  );
}
