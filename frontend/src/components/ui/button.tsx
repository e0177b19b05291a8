import type { ButtonHTMLAttributes } from "react";
import { cn } from "../../lib/cn";

type Variant = "primary" | "secondary" | "danger" | "ghost";

const variants: Record<Variant, string> = {
  primary: "bg-blue-700 text-white hover:bg-blue-800 disabled:bg-blue-400",
  secondary:
    "bg-white text-slate-900 border border-slate-400 hover:bg-slate-100 disabled:text-slate-500",
  danger: "bg-red-700 text-white hover:bg-red-800 disabled:bg-red-400",
  ghost: "text-blue-800 hover:bg-blue-50 underline-offset-2 hover:underline",
};

export type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: Variant;
};

export function buttonClass(variant: Variant = "primary", className?: string): string {
  return cn(
    "inline-flex min-h-11 items-center justify-center gap-2 rounded-lg px-4 py-2 font-medium",
    "transition-colors focus-visible:outline-3 focus-visible:outline-offset-2 focus-visible:outline-blue-700",
    "disabled:cursor-not-allowed",
    variants[variant],
    className,
  );
}

export function Button({ variant = "primary", className, type, ...props }: ButtonProps) {
  return <button type={type ?? "button"} className={buttonClass(variant, className)} {...props} />;
}
