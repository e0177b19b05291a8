import * as RadioGroup from "@radix-ui/react-radio-group";
import { cn } from "../../lib/cn";

/** Five stars as an accessible radio group (arrow keys move, each star has a name). */
export function StarRating({
  value,
  onChange,
  labelId,
  starLabel,
  invalid,
  describedBy,
}: {
  value: number | undefined;
  onChange: (value: number) => void;
  labelId: string;
  starLabel: (n: number) => string;
  invalid?: boolean;
  describedBy?: string;
}) {
  return (
    <RadioGroup.Root
      aria-labelledby={labelId}
      aria-invalid={invalid || undefined}
      aria-describedby={describedBy}
      value={value ? String(value) : ""}
      onValueChange={(v) => onChange(Number(v))}
      orientation="horizontal"
      className="flex gap-1"
    >
      {[1, 2, 3, 4, 5].map((n) => {
        const filled = value !== undefined && n <= value;
        return (
          <RadioGroup.Item
            key={n}
            value={String(n)}
            aria-label={starLabel(n)}
            className="rounded-md p-1 focus-visible:outline-3 focus-visible:outline-offset-1 focus-visible:outline-blue-700"
          >
            <svg
              viewBox="0 0 24 24"
              className={cn("h-10 w-10", filled ? "text-amber-500" : "text-slate-400")}
              aria-hidden="true"
            >
              <path
                fill={filled ? "currentColor" : "none"}
                stroke="currentColor"
                strokeWidth="1.5"
                d="M12 2.5l2.9 6 6.6.9-4.8 4.6 1.2 6.5L12 17.4l-5.9 3.1 1.2-6.5L2.5 9.4l6.6-.9z"
              />
            </svg>
          </RadioGroup.Item>
        );
      })}
    </RadioGroup.Root>
  );
}
