import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { getRouteApi } from "@tanstack/react-router";
import { useId, useState } from "react";
import { Controller, useForm } from "react-hook-form";
import { z } from "zod";
import { getReviewForm, submitReview } from "../client/sdk.gen";
import type { ReviewForm } from "../client/types.gen";
import { Alert } from "../components/ui/alert";
import { Button } from "../components/ui/button";
import { TextArea } from "../components/ui/field";
import { StarRating } from "../components/ui/star-rating";
import { useT } from "../i18n";
import { call } from "../lib/api";
import { isApiError, mapProblemToFields } from "../lib/problem";

const route = getRouteApi("/review/$token");

export function ReviewPage() {
  const { token } = route.useParams();
  return <ReviewView token={token} />;
}

function InvalidLink() {
  const t = useT();
  return (
    <div className="mx-auto max-w-lg py-8 text-center">
      <h1 className="text-2xl font-bold">{t("review.invalid.title")}</h1>
      <p className="mt-3 text-slate-700">{t("review.invalid.text")}</p>
    </div>
  );
}

export function ReviewView({ token }: { token: string }) {
  const t = useT();
  const [submitted, setSubmitted] = useState(false);
  const query = useQuery({
    queryKey: ["review", token],
    queryFn: () => call(getReviewForm({ path: { token } })),
  });

  if (query.isPending) {
    return (
      <p role="status" className="py-12 text-center text-slate-700">
        {t("app.loading")}
      </p>
    );
  }
  if (query.isError) {
    if (isApiError(query.error, 404) || isApiError(query.error, 422)) return <InvalidLink />;
    return (
      <Alert tone="error">
        {t("app.error")}{" "}
        <Button variant="ghost" onClick={() => query.refetch()}>
          {t("app.retry")}
        </Button>
      </Alert>
    );
  }
  const form = query.data;
  return (
    <div className="mx-auto max-w-lg space-y-4">
      <h1 className="text-2xl font-bold">{t("review.title")}</h1>
      <p className="text-slate-700">
        {form.partner_name
          ? t("review.lead", { content: form.content, partner: form.partner_name })
          : t("review.leadNoPartner", { content: form.content })}
      </p>
      {submitted ? (
        <Alert tone="success" title={t("review.thanks")} />
      ) : form.review ? (
        <Alert tone="info" title={t("review.already")}>
          <p>{t("review.yourReview", { n: form.review.rating })}</p>
          {form.review.comment ? <p className="mt-1 italic">“{form.review.comment}”</p> : null}
        </Alert>
      ) : !form.delivered ? (
        <Alert tone="info">{t("review.notDelivered")}</Alert>
      ) : (
        <ReviewFormView token={token} form={form} onDone={() => setSubmitted(true)} />
      )}
    </div>
  );
}

function ReviewFormView({
  token,
  form,
  onDone,
}: {
  token: string;
  form: ReviewForm;
  onDone: () => void;
}) {
  const t = useT();
  const labelId = useId();
  const errorId = useId();
  const queryClient = useQueryClient();
  const max = form.comment_max_length ?? 1000;
  const schema = z.object({
    rating: z
      .number({ error: t("validation.rating") })
      .int()
      .min(1)
      .max(5),
    comment: z.string().max(max, t("validation.comment", { n: max })),
  });
  type Values = z.infer<typeof schema>;
  const {
    control,
    register,
    handleSubmit,
    setError,
    watch,
    formState: { errors, isSubmitting },
  } = useForm<Values>({
    resolver: zodResolver(schema),
    defaultValues: { rating: undefined, comment: "" },
  });
  const mutation = useMutation({
    mutationFn: (values: Values) =>
      call(
        submitReview({
          path: { token },
          body: { rating: values.rating, comment: values.comment.trim() || null },
        }),
      ),
    onSuccess: (review) => {
      onDone();
      queryClient.setQueryData<ReviewForm>(["review", token], (old) =>
        old ? { ...old, review } : old,
      );
    },
  });

  const onSubmit = handleSubmit(async (values) => {
    try {
      await mutation.mutateAsync(values);
    } catch (error) {
      if (isApiError(error, 422)) {
        const { fieldErrors, formErrors } = mapProblemToFields(error.problem, [
          "rating",
          "comment",
        ] as const);
        for (const [field, message] of Object.entries(fieldErrors)) {
          setError(field as keyof Values, { message: message as string });
        }
        if (formErrors.length) setError("root", { message: formErrors.join(" ") });
      } else if (isApiError(error, 409)) {
        await queryClient.invalidateQueries({ queryKey: ["review", token] });
        setError("root", { message: t("review.closed") });
      } else if (isApiError(error, 404)) {
        setError("root", { message: t("review.invalid.title") });
      } else {
        setError("root", { message: t("app.error") });
      }
    }
  });

  const comment = watch("comment") ?? "";
  return (
    <form
      onSubmit={onSubmit}
      noValidate
      className="space-y-4 rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200"
    >
      <fieldset>
        <legend id={labelId} className="font-medium">
          {t("review.rating")}
        </legend>
        <Controller
          control={control}
          name="rating"
          render={({ field }) => (
            <StarRating
              labelId={labelId}
              value={field.value}
              onChange={field.onChange}
              starLabel={(n) => t(n === 1 ? "review.star" : "review.stars", { n })}
              invalid={Boolean(errors.rating)}
              describedBy={errors.rating ? errorId : undefined}
            />
          )}
        />
        {errors.rating ? (
          <p id={errorId} role="alert" className="text-sm font-medium text-red-700">
            {errors.rating.message}
          </p>
        ) : null}
      </fieldset>
      <TextArea
        label={t("review.comment")}
        hint={t("review.commentHint", { left: Math.max(0, max - comment.length) })}
        error={errors.comment?.message}
        maxLength={max}
        {...register("comment")}
      />
      {errors.root ? <Alert tone="error">{errors.root.message}</Alert> : null}
      <Button type="submit" disabled={isSubmitting}>
        {t("review.submit")}
      </Button>
    </form>
  );
}
