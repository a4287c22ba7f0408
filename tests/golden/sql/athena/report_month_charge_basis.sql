SELECT
  DATE_FORMAT("t5"."_month", '%Y-%m') AS "k0",
  "t5"."billing_currency" AS "currency",
  SUM("t5"."billed_cost") AS "billed",
  SUM("t5"."effective_cost") AS "effective",
  SUM("t5"."list_cost") AS "list",
  SUM("t5"."billed_cost") FILTER(WHERE
    "t5"."charge_class" = 'Correction') AS "corrections"
FROM (
  SELECT
    "t4"."provider_name",
    "t4"."host_provider_name",
    "t4"."publisher_name",
    "t4"."invoice_issuer_name",
    "t4"."invoice_id",
    "t4"."billing_account_id",
    "t4"."billing_account_name",
    "t4"."billing_account_type",
    "t4"."sub_account_id",
    "t4"."sub_account_name",
    "t4"."sub_account_type",
    "t4"."region_id",
    "t4"."region_name",
    "t4"."availability_zone",
    "t4"."service_name",
    "t4"."service_category",
    "t4"."service_subcategory",
    "t4"."resource_id",
    "t4"."resource_name",
    "t4"."resource_type",
    "t4"."pricing_category",
    "t4"."pricing_unit",
    "t4"."charge_category",
    "t4"."charge_class",
    "t4"."charge_frequency",
    "t4"."charge_description",
    "t4"."commitment_discount_id",
    "t4"."commitment_discount_name",
    "t4"."commitment_discount_category",
    "t4"."commitment_discount_type",
    "t4"."commitment_discount_status",
    "t4"."capacity_reservation_id",
    "t4"."sku_id",
    "t4"."sku_price_id",
    "t4"."sku_meter",
    "t4"."sku_price_details",
    "t4"."billing_currency",
    "t4"."pricing_currency",
    "t4"."tags",
    "t4"."billing_period_start",
    "t4"."billing_period_end",
    "t4"."charge_period_start",
    "t4"."charge_period_end",
    "t4"."pricing_currency_effective_cost",
    IF(
      "t4"."_months" = 0,
      "t4"."billed_cost",
      CAST(CASE
        WHEN (
          TO_UNIXTIME(
            LEAST(
              CAST(FROM_ISO8601_DATE(
                FORMAT(
                  '%04d-%02d-%02d',
                  CAST(FLOOR(CAST((
                    "t4"."_first" + "t4"."_k" + 1
                  ) AS DOUBLE) / (
                    12
                  )) AS BIGINT),
                  (
                    (
                      "t4"."_first" + "t4"."_k" + 1
                    ) % 12
                  ) + 1,
                  1
                )
              ) AS TIMESTAMP),
              "t4"."charge_period_end"
            )
          ) - "t4"."_s"
        ) >= "t4"."_total"
        THEN "t4"."billed_cost"
        WHEN (
          TO_UNIXTIME(
            LEAST(
              CAST(FROM_ISO8601_DATE(
                FORMAT(
                  '%04d-%02d-%02d',
                  CAST(FLOOR(CAST((
                    "t4"."_first" + "t4"."_k" + 1
                  ) AS DOUBLE) / (
                    12
                  )) AS BIGINT),
                  (
                    (
                      "t4"."_first" + "t4"."_k" + 1
                    ) % 12
                  ) + 1,
                  1
                )
              ) AS TIMESTAMP),
              "t4"."charge_period_end"
            )
          ) - "t4"."_s"
        ) <= 0
        THEN CAST(0 AS DECIMAL(38, 24))
        ELSE CAST(CAST(CAST((
          CAST("t4"."billed_cost" AS DOUBLE) * (
            TO_UNIXTIME(
              LEAST(
                CAST(FROM_ISO8601_DATE(
                  FORMAT(
                    '%04d-%02d-%02d',
                    CAST(FLOOR(CAST((
                      "t4"."_first" + "t4"."_k" + 1
                    ) AS DOUBLE) / (
                      12
                    )) AS BIGINT),
                    (
                      (
                        "t4"."_first" + "t4"."_k" + 1
                      ) % 12
                    ) + 1,
                    1
                  )
                ) AS TIMESTAMP),
                "t4"."charge_period_end"
              )
            ) - "t4"."_s"
          )
        ) AS DOUBLE) / "t4"."_total" AS DECIMAL(38, 10)) AS DECIMAL(38, 24))
      END AS DECIMAL(37, 24)) - CAST(CASE
        WHEN GREATEST(
          TO_UNIXTIME(
            CAST(FROM_ISO8601_DATE(
              FORMAT(
                '%04d-%02d-%02d',
                CAST(FLOOR(CAST((
                  "t4"."_first" + "t4"."_k"
                ) AS DOUBLE) / (
                  12
                )) AS BIGINT),
                (
                  (
                    "t4"."_first" + "t4"."_k"
                  ) % 12
                ) + 1,
                1
              )
            ) AS TIMESTAMP)
          ) - "t4"."_s",
          0
        ) >= "t4"."_total"
        THEN "t4"."billed_cost"
        WHEN GREATEST(
          TO_UNIXTIME(
            CAST(FROM_ISO8601_DATE(
              FORMAT(
                '%04d-%02d-%02d',
                CAST(FLOOR(CAST((
                  "t4"."_first" + "t4"."_k"
                ) AS DOUBLE) / (
                  12
                )) AS BIGINT),
                (
                  (
                    "t4"."_first" + "t4"."_k"
                  ) % 12
                ) + 1,
                1
              )
            ) AS TIMESTAMP)
          ) - "t4"."_s",
          0
        ) <= 0
        THEN CAST(0 AS DECIMAL(38, 24))
        ELSE CAST(CAST(CAST((
          CAST("t4"."billed_cost" AS DOUBLE) * GREATEST(
            TO_UNIXTIME(
              CAST(FROM_ISO8601_DATE(
                FORMAT(
                  '%04d-%02d-%02d',
                  CAST(FLOOR(CAST((
                    "t4"."_first" + "t4"."_k"
                  ) AS DOUBLE) / (
                    12
                  )) AS BIGINT),
                  (
                    (
                      "t4"."_first" + "t4"."_k"
                    ) % 12
                  ) + 1,
                  1
                )
              ) AS TIMESTAMP)
            ) - "t4"."_s",
            0
          )
        ) AS DOUBLE) / "t4"."_total" AS DECIMAL(38, 10)) AS DECIMAL(38, 24))
      END AS DECIMAL(37, 24))
    ) AS "billed_cost",
    IF(
      "t4"."_months" = 0,
      "t4"."effective_cost",
      CAST(CASE
        WHEN (
          TO_UNIXTIME(
            LEAST(
              CAST(FROM_ISO8601_DATE(
                FORMAT(
                  '%04d-%02d-%02d',
                  CAST(FLOOR(CAST((
                    "t4"."_first" + "t4"."_k" + 1
                  ) AS DOUBLE) / (
                    12
                  )) AS BIGINT),
                  (
                    (
                      "t4"."_first" + "t4"."_k" + 1
                    ) % 12
                  ) + 1,
                  1
                )
              ) AS TIMESTAMP),
              "t4"."charge_period_end"
            )
          ) - "t4"."_s"
        ) >= "t4"."_total"
        THEN "t4"."effective_cost"
        WHEN (
          TO_UNIXTIME(
            LEAST(
              CAST(FROM_ISO8601_DATE(
                FORMAT(
                  '%04d-%02d-%02d',
                  CAST(FLOOR(CAST((
                    "t4"."_first" + "t4"."_k" + 1
                  ) AS DOUBLE) / (
                    12
                  )) AS BIGINT),
                  (
                    (
                      "t4"."_first" + "t4"."_k" + 1
                    ) % 12
                  ) + 1,
                  1
                )
              ) AS TIMESTAMP),
              "t4"."charge_period_end"
            )
          ) - "t4"."_s"
        ) <= 0
        THEN CAST(0 AS DECIMAL(38, 24))
        ELSE CAST(CAST(CAST((
          CAST("t4"."effective_cost" AS DOUBLE) * (
            TO_UNIXTIME(
              LEAST(
                CAST(FROM_ISO8601_DATE(
                  FORMAT(
                    '%04d-%02d-%02d',
                    CAST(FLOOR(CAST((
                      "t4"."_first" + "t4"."_k" + 1
                    ) AS DOUBLE) / (
                      12
                    )) AS BIGINT),
                    (
                      (
                        "t4"."_first" + "t4"."_k" + 1
                      ) % 12
                    ) + 1,
                    1
                  )
                ) AS TIMESTAMP),
                "t4"."charge_period_end"
              )
            ) - "t4"."_s"
          )
        ) AS DOUBLE) / "t4"."_total" AS DECIMAL(38, 10)) AS DECIMAL(38, 24))
      END AS DECIMAL(37, 24)) - CAST(CASE
        WHEN GREATEST(
          TO_UNIXTIME(
            CAST(FROM_ISO8601_DATE(
              FORMAT(
                '%04d-%02d-%02d',
                CAST(FLOOR(CAST((
                  "t4"."_first" + "t4"."_k"
                ) AS DOUBLE) / (
                  12
                )) AS BIGINT),
                (
                  (
                    "t4"."_first" + "t4"."_k"
                  ) % 12
                ) + 1,
                1
              )
            ) AS TIMESTAMP)
          ) - "t4"."_s",
          0
        ) >= "t4"."_total"
        THEN "t4"."effective_cost"
        WHEN GREATEST(
          TO_UNIXTIME(
            CAST(FROM_ISO8601_DATE(
              FORMAT(
                '%04d-%02d-%02d',
                CAST(FLOOR(CAST((
                  "t4"."_first" + "t4"."_k"
                ) AS DOUBLE) / (
                  12
                )) AS BIGINT),
                (
                  (
                    "t4"."_first" + "t4"."_k"
                  ) % 12
                ) + 1,
                1
              )
            ) AS TIMESTAMP)
          ) - "t4"."_s",
          0
        ) <= 0
        THEN CAST(0 AS DECIMAL(38, 24))
        ELSE CAST(CAST(CAST((
          CAST("t4"."effective_cost" AS DOUBLE) * GREATEST(
            TO_UNIXTIME(
              CAST(FROM_ISO8601_DATE(
                FORMAT(
                  '%04d-%02d-%02d',
                  CAST(FLOOR(CAST((
                    "t4"."_first" + "t4"."_k"
                  ) AS DOUBLE) / (
                    12
                  )) AS BIGINT),
                  (
                    (
                      "t4"."_first" + "t4"."_k"
                    ) % 12
                  ) + 1,
                  1
                )
              ) AS TIMESTAMP)
            ) - "t4"."_s",
            0
          )
        ) AS DOUBLE) / "t4"."_total" AS DECIMAL(38, 10)) AS DECIMAL(38, 24))
      END AS DECIMAL(37, 24))
    ) AS "effective_cost",
    IF(
      "t4"."_months" = 0,
      "t4"."list_cost",
      CAST(CASE
        WHEN (
          TO_UNIXTIME(
            LEAST(
              CAST(FROM_ISO8601_DATE(
                FORMAT(
                  '%04d-%02d-%02d',
                  CAST(FLOOR(CAST((
                    "t4"."_first" + "t4"."_k" + 1
                  ) AS DOUBLE) / (
                    12
                  )) AS BIGINT),
                  (
                    (
                      "t4"."_first" + "t4"."_k" + 1
                    ) % 12
                  ) + 1,
                  1
                )
              ) AS TIMESTAMP),
              "t4"."charge_period_end"
            )
          ) - "t4"."_s"
        ) >= "t4"."_total"
        THEN "t4"."list_cost"
        WHEN (
          TO_UNIXTIME(
            LEAST(
              CAST(FROM_ISO8601_DATE(
                FORMAT(
                  '%04d-%02d-%02d',
                  CAST(FLOOR(CAST((
                    "t4"."_first" + "t4"."_k" + 1
                  ) AS DOUBLE) / (
                    12
                  )) AS BIGINT),
                  (
                    (
                      "t4"."_first" + "t4"."_k" + 1
                    ) % 12
                  ) + 1,
                  1
                )
              ) AS TIMESTAMP),
              "t4"."charge_period_end"
            )
          ) - "t4"."_s"
        ) <= 0
        THEN CAST(0 AS DECIMAL(38, 24))
        ELSE CAST(CAST(CAST((
          CAST("t4"."list_cost" AS DOUBLE) * (
            TO_UNIXTIME(
              LEAST(
                CAST(FROM_ISO8601_DATE(
                  FORMAT(
                    '%04d-%02d-%02d',
                    CAST(FLOOR(CAST((
                      "t4"."_first" + "t4"."_k" + 1
                    ) AS DOUBLE) / (
                      12
                    )) AS BIGINT),
                    (
                      (
                        "t4"."_first" + "t4"."_k" + 1
                      ) % 12
                    ) + 1,
                    1
                  )
                ) AS TIMESTAMP),
                "t4"."charge_period_end"
              )
            ) - "t4"."_s"
          )
        ) AS DOUBLE) / "t4"."_total" AS DECIMAL(38, 10)) AS DECIMAL(38, 24))
      END AS DECIMAL(37, 24)) - CAST(CASE
        WHEN GREATEST(
          TO_UNIXTIME(
            CAST(FROM_ISO8601_DATE(
              FORMAT(
                '%04d-%02d-%02d',
                CAST(FLOOR(CAST((
                  "t4"."_first" + "t4"."_k"
                ) AS DOUBLE) / (
                  12
                )) AS BIGINT),
                (
                  (
                    "t4"."_first" + "t4"."_k"
                  ) % 12
                ) + 1,
                1
              )
            ) AS TIMESTAMP)
          ) - "t4"."_s",
          0
        ) >= "t4"."_total"
        THEN "t4"."list_cost"
        WHEN GREATEST(
          TO_UNIXTIME(
            CAST(FROM_ISO8601_DATE(
              FORMAT(
                '%04d-%02d-%02d',
                CAST(FLOOR(CAST((
                  "t4"."_first" + "t4"."_k"
                ) AS DOUBLE) / (
                  12
                )) AS BIGINT),
                (
                  (
                    "t4"."_first" + "t4"."_k"
                  ) % 12
                ) + 1,
                1
              )
            ) AS TIMESTAMP)
          ) - "t4"."_s",
          0
        ) <= 0
        THEN CAST(0 AS DECIMAL(38, 24))
        ELSE CAST(CAST(CAST((
          CAST("t4"."list_cost" AS DOUBLE) * GREATEST(
            TO_UNIXTIME(
              CAST(FROM_ISO8601_DATE(
                FORMAT(
                  '%04d-%02d-%02d',
                  CAST(FLOOR(CAST((
                    "t4"."_first" + "t4"."_k"
                  ) AS DOUBLE) / (
                    12
                  )) AS BIGINT),
                  (
                    (
                      "t4"."_first" + "t4"."_k"
                    ) % 12
                  ) + 1,
                  1
                )
              ) AS TIMESTAMP)
            ) - "t4"."_s",
            0
          )
        ) AS DOUBLE) / "t4"."_total" AS DECIMAL(38, 10)) AS DECIMAL(38, 24))
      END AS DECIMAL(37, 24))
    ) AS "list_cost",
    IF(
      "t4"."_months" = 0,
      "t4"."contracted_cost",
      CAST(CASE
        WHEN (
          TO_UNIXTIME(
            LEAST(
              CAST(FROM_ISO8601_DATE(
                FORMAT(
                  '%04d-%02d-%02d',
                  CAST(FLOOR(CAST((
                    "t4"."_first" + "t4"."_k" + 1
                  ) AS DOUBLE) / (
                    12
                  )) AS BIGINT),
                  (
                    (
                      "t4"."_first" + "t4"."_k" + 1
                    ) % 12
                  ) + 1,
                  1
                )
              ) AS TIMESTAMP),
              "t4"."charge_period_end"
            )
          ) - "t4"."_s"
        ) >= "t4"."_total"
        THEN "t4"."contracted_cost"
        WHEN (
          TO_UNIXTIME(
            LEAST(
              CAST(FROM_ISO8601_DATE(
                FORMAT(
                  '%04d-%02d-%02d',
                  CAST(FLOOR(CAST((
                    "t4"."_first" + "t4"."_k" + 1
                  ) AS DOUBLE) / (
                    12
                  )) AS BIGINT),
                  (
                    (
                      "t4"."_first" + "t4"."_k" + 1
                    ) % 12
                  ) + 1,
                  1
                )
              ) AS TIMESTAMP),
              "t4"."charge_period_end"
            )
          ) - "t4"."_s"
        ) <= 0
        THEN CAST(0 AS DECIMAL(38, 24))
        ELSE CAST(CAST(CAST((
          CAST("t4"."contracted_cost" AS DOUBLE) * (
            TO_UNIXTIME(
              LEAST(
                CAST(FROM_ISO8601_DATE(
                  FORMAT(
                    '%04d-%02d-%02d',
                    CAST(FLOOR(CAST((
                      "t4"."_first" + "t4"."_k" + 1
                    ) AS DOUBLE) / (
                      12
                    )) AS BIGINT),
                    (
                      (
                        "t4"."_first" + "t4"."_k" + 1
                      ) % 12
                    ) + 1,
                    1
                  )
                ) AS TIMESTAMP),
                "t4"."charge_period_end"
              )
            ) - "t4"."_s"
          )
        ) AS DOUBLE) / "t4"."_total" AS DECIMAL(38, 10)) AS DECIMAL(38, 24))
      END AS DECIMAL(37, 24)) - CAST(CASE
        WHEN GREATEST(
          TO_UNIXTIME(
            CAST(FROM_ISO8601_DATE(
              FORMAT(
                '%04d-%02d-%02d',
                CAST(FLOOR(CAST((
                  "t4"."_first" + "t4"."_k"
                ) AS DOUBLE) / (
                  12
                )) AS BIGINT),
                (
                  (
                    "t4"."_first" + "t4"."_k"
                  ) % 12
                ) + 1,
                1
              )
            ) AS TIMESTAMP)
          ) - "t4"."_s",
          0
        ) >= "t4"."_total"
        THEN "t4"."contracted_cost"
        WHEN GREATEST(
          TO_UNIXTIME(
            CAST(FROM_ISO8601_DATE(
              FORMAT(
                '%04d-%02d-%02d',
                CAST(FLOOR(CAST((
                  "t4"."_first" + "t4"."_k"
                ) AS DOUBLE) / (
                  12
                )) AS BIGINT),
                (
                  (
                    "t4"."_first" + "t4"."_k"
                  ) % 12
                ) + 1,
                1
              )
            ) AS TIMESTAMP)
          ) - "t4"."_s",
          0
        ) <= 0
        THEN CAST(0 AS DECIMAL(38, 24))
        ELSE CAST(CAST(CAST((
          CAST("t4"."contracted_cost" AS DOUBLE) * GREATEST(
            TO_UNIXTIME(
              CAST(FROM_ISO8601_DATE(
                FORMAT(
                  '%04d-%02d-%02d',
                  CAST(FLOOR(CAST((
                    "t4"."_first" + "t4"."_k"
                  ) AS DOUBLE) / (
                    12
                  )) AS BIGINT),
                  (
                    (
                      "t4"."_first" + "t4"."_k"
                    ) % 12
                  ) + 1,
                  1
                )
              ) AS TIMESTAMP)
            ) - "t4"."_s",
            0
          )
        ) AS DOUBLE) / "t4"."_total" AS DECIMAL(38, 10)) AS DECIMAL(38, 24))
      END AS DECIMAL(37, 24))
    ) AS "contracted_cost",
    IF(
      "t4"."_months" = 0,
      CAST(FROM_ISO8601_DATE(
        FORMAT(
          '%04d-%02d-%02d',
          CAST(FLOOR(CAST((
            "t4"."_first"
          ) AS DOUBLE) / (
            12
          )) AS BIGINT),
          (
            "t4"."_first" % 12
          ) + 1,
          1
        )
      ) AS TIMESTAMP),
      CAST(FROM_ISO8601_DATE(
        FORMAT(
          '%04d-%02d-%02d',
          CAST(FLOOR(CAST((
            "t4"."_first" + "t4"."_k"
          ) AS DOUBLE) / (
            12
          )) AS BIGINT),
          (
            (
              "t4"."_first" + "t4"."_k"
            ) % 12
          ) + 1,
          1
        )
      ) AS TIMESTAMP)
    ) AS "_month"
  FROM (
    SELECT
      "t3"."provider_name",
      "t3"."host_provider_name",
      "t3"."publisher_name",
      "t3"."invoice_issuer_name",
      "t3"."invoice_id",
      "t3"."billing_account_id",
      "t3"."billing_account_name",
      "t3"."billing_account_type",
      "t3"."sub_account_id",
      "t3"."sub_account_name",
      "t3"."sub_account_type",
      "t3"."region_id",
      "t3"."region_name",
      "t3"."availability_zone",
      "t3"."service_name",
      "t3"."service_category",
      "t3"."service_subcategory",
      "t3"."resource_id",
      "t3"."resource_name",
      "t3"."resource_type",
      "t3"."pricing_category",
      "t3"."pricing_unit",
      "t3"."charge_category",
      "t3"."charge_class",
      "t3"."charge_frequency",
      "t3"."charge_description",
      "t3"."commitment_discount_id",
      "t3"."commitment_discount_name",
      "t3"."commitment_discount_category",
      "t3"."commitment_discount_type",
      "t3"."commitment_discount_status",
      "t3"."capacity_reservation_id",
      "t3"."sku_id",
      "t3"."sku_price_id",
      "t3"."sku_meter",
      "t3"."sku_price_details",
      "t3"."billing_currency",
      "t3"."pricing_currency",
      "t3"."tags",
      "t3"."billing_period_start",
      "t3"."billing_period_end",
      "t3"."charge_period_start",
      "t3"."charge_period_end",
      "t3"."billed_cost",
      "t3"."effective_cost",
      "t3"."list_cost",
      "t3"."contracted_cost",
      "t3"."pricing_currency_effective_cost",
      "t3"."_first",
      "t3"."_months",
      "t3"."_s",
      "t3"."_total",
      IF(_u.pos = _u_2.pos_2, _u_2."_k") AS "_k"
    FROM (
      SELECT
        "t2"."provider_name",
        "t2"."host_provider_name",
        "t2"."publisher_name",
        "t2"."invoice_issuer_name",
        "t2"."invoice_id",
        "t2"."billing_account_id",
        "t2"."billing_account_name",
        "t2"."billing_account_type",
        "t2"."sub_account_id",
        "t2"."sub_account_name",
        "t2"."sub_account_type",
        "t2"."region_id",
        "t2"."region_name",
        "t2"."availability_zone",
        "t2"."service_name",
        "t2"."service_category",
        "t2"."service_subcategory",
        "t2"."resource_id",
        "t2"."resource_name",
        "t2"."resource_type",
        "t2"."pricing_category",
        "t2"."pricing_unit",
        "t2"."charge_category",
        "t2"."charge_class",
        "t2"."charge_frequency",
        "t2"."charge_description",
        "t2"."commitment_discount_id",
        "t2"."commitment_discount_name",
        "t2"."commitment_discount_category",
        "t2"."commitment_discount_type",
        "t2"."commitment_discount_status",
        "t2"."capacity_reservation_id",
        "t2"."sku_id",
        "t2"."sku_price_id",
        "t2"."sku_meter",
        "t2"."sku_price_details",
        "t2"."billing_currency",
        "t2"."pricing_currency",
        "t2"."tags",
        "t2"."billing_period_start",
        "t2"."billing_period_end",
        "t2"."charge_period_start",
        "t2"."charge_period_end",
        "t2"."billed_cost",
        "t2"."effective_cost",
        "t2"."list_cost",
        "t2"."contracted_cost",
        "t2"."pricing_currency_effective_cost",
        (
          (
            EXTRACT(year FROM "t2"."charge_period_start") * 12
          ) + EXTRACT(month FROM "t2"."charge_period_start")
        ) - 1 AS "_first",
        IF(
          (
            DATE_TRUNC('MONTH', COALESCE("t2"."charge_period_end", "t2"."charge_period_start")) = COALESCE("t2"."charge_period_end", "t2"."charge_period_start")
          )
          AND (
            COALESCE("t2"."charge_period_end", "t2"."charge_period_start") > "t2"."charge_period_start"
          ),
          (
            (
              (
                EXTRACT(year FROM COALESCE("t2"."charge_period_end", "t2"."charge_period_start")) * 12
              ) + EXTRACT(month FROM COALESCE("t2"."charge_period_end", "t2"."charge_period_start"))
            ) - 1
          ) - 1,
          (
            (
              EXTRACT(year FROM COALESCE("t2"."charge_period_end", "t2"."charge_period_start")) * 12
            ) + EXTRACT(month FROM COALESCE("t2"."charge_period_end", "t2"."charge_period_start"))
          ) - 1
        ) - (
          (
            (
              EXTRACT(year FROM "t2"."charge_period_start") * 12
            ) + EXTRACT(month FROM "t2"."charge_period_start")
          ) - 1
        ) AS "_months",
        TO_UNIXTIME("t2"."charge_period_start") AS "_s",
        TO_UNIXTIME(COALESCE("t2"."charge_period_end", "t2"."charge_period_start")) - TO_UNIXTIME("t2"."charge_period_start") AS "_total"
      FROM (
        SELECT
          "t1"."provider_name",
          "t1"."host_provider_name",
          "t1"."publisher_name",
          "t1"."invoice_issuer_name",
          "t1"."invoice_id",
          "t1"."billing_account_id",
          "t1"."billing_account_name",
          "t1"."billing_account_type",
          "t1"."sub_account_id",
          "t1"."sub_account_name",
          "t1"."sub_account_type",
          "t1"."region_id",
          "t1"."region_name",
          "t1"."availability_zone",
          "t1"."service_name",
          "t1"."service_category",
          "t1"."service_subcategory",
          "t1"."resource_id",
          "t1"."resource_name",
          "t1"."resource_type",
          "t1"."pricing_category",
          "t1"."pricing_unit",
          "t1"."charge_category",
          "t1"."charge_class",
          "t1"."charge_frequency",
          "t1"."charge_description",
          "t1"."commitment_discount_id",
          "t1"."commitment_discount_name",
          "t1"."commitment_discount_category",
          "t1"."commitment_discount_type",
          "t1"."commitment_discount_status",
          "t1"."capacity_reservation_id",
          "t1"."sku_id",
          "t1"."sku_price_id",
          "t1"."sku_meter",
          "t1"."sku_price_details",
          CASE
            WHEN "t1"."charge_period_start" IS NULL
            THEN FAIL('lepton: ChargePeriodStart is empty')
            WHEN "t1"."billing_period_start" IS NULL
            THEN FAIL('lepton: BillingPeriodStart is empty')
            WHEN "t1"."charge_period_end" < "t1"."charge_period_start"
            THEN FAIL('lepton: ChargePeriodEnd is before ChargePeriodStart')
            ELSE "t1"."billing_currency"
          END AS "billing_currency",
          "t1"."pricing_currency",
          "t1"."tags",
          "t1"."billing_period_start",
          "t1"."billing_period_end",
          "t1"."charge_period_start",
          "t1"."charge_period_end",
          "t1"."billed_cost",
          "t1"."effective_cost",
          "t1"."list_cost",
          "t1"."contracted_cost",
          "t1"."pricing_currency_effective_cost"
        FROM (
          SELECT
            COALESCE(
              IF(
                "t0"."ServiceProviderName" IN (''),
                CAST(NULL AS VARCHAR),
                "t0"."ServiceProviderName"
              ),
              IF("t0"."ProviderName" IN (''), CAST(NULL AS VARCHAR), "t0"."ProviderName")
            ) AS "provider_name",
            COALESCE(
              IF("t0"."HostProviderName" IN (''), CAST(NULL AS VARCHAR), "t0"."HostProviderName"),
              IF("t0"."PublisherName" IN (''), CAST(NULL AS VARCHAR), "t0"."PublisherName")
            ) AS "host_provider_name",
            IF("t0"."PublisherName" IN (''), CAST(NULL AS VARCHAR), "t0"."PublisherName") AS "publisher_name",
            IF("t0"."InvoiceIssuerName" IN (''), CAST(NULL AS VARCHAR), "t0"."InvoiceIssuerName") AS "invoice_issuer_name",
            IF("t0"."InvoiceId" IN (''), CAST(NULL AS VARCHAR), "t0"."InvoiceId") AS "invoice_id",
            IF("t0"."BillingAccountId" IN (''), CAST(NULL AS VARCHAR), "t0"."BillingAccountId") AS "billing_account_id",
            IF("t0"."BillingAccountName" IN (''), CAST(NULL AS VARCHAR), "t0"."BillingAccountName") AS "billing_account_name",
            IF("t0"."BillingAccountType" IN (''), CAST(NULL AS VARCHAR), "t0"."BillingAccountType") AS "billing_account_type",
            IF("t0"."SubAccountId" IN (''), CAST(NULL AS VARCHAR), "t0"."SubAccountId") AS "sub_account_id",
            IF("t0"."SubAccountName" IN (''), CAST(NULL AS VARCHAR), "t0"."SubAccountName") AS "sub_account_name",
            IF("t0"."SubAccountType" IN (''), CAST(NULL AS VARCHAR), "t0"."SubAccountType") AS "sub_account_type",
            COALESCE(
              IF("t0"."RegionId" IN (''), CAST(NULL AS VARCHAR), "t0"."RegionId"),
              IF("t0"."RegionName" IN (''), CAST(NULL AS VARCHAR), "t0"."RegionName")
            ) AS "region_id",
            IF("t0"."RegionName" IN (''), CAST(NULL AS VARCHAR), "t0"."RegionName") AS "region_name",
            IF("t0"."AvailabilityZone" IN (''), CAST(NULL AS VARCHAR), "t0"."AvailabilityZone") AS "availability_zone",
            IF("t0"."ServiceName" IN (''), CAST(NULL AS VARCHAR), "t0"."ServiceName") AS "service_name",
            IF("t0"."ServiceCategory" IN (''), CAST(NULL AS VARCHAR), "t0"."ServiceCategory") AS "service_category",
            IF("t0"."ServiceSubcategory" IN (''), CAST(NULL AS VARCHAR), "t0"."ServiceSubcategory") AS "service_subcategory",
            IF("t0"."ResourceId" IN (''), CAST(NULL AS VARCHAR), "t0"."ResourceId") AS "resource_id",
            IF("t0"."ResourceName" IN (''), CAST(NULL AS VARCHAR), "t0"."ResourceName") AS "resource_name",
            IF("t0"."ResourceType" IN (''), CAST(NULL AS VARCHAR), "t0"."ResourceType") AS "resource_type",
            IF("t0"."PricingCategory" IN (''), CAST(NULL AS VARCHAR), "t0"."PricingCategory") AS "pricing_category",
            IF("t0"."PricingUnit" IN (''), CAST(NULL AS VARCHAR), "t0"."PricingUnit") AS "pricing_unit",
            IF("t0"."ChargeCategory" IN (''), CAST(NULL AS VARCHAR), "t0"."ChargeCategory") AS "charge_category",
            IF("t0"."ChargeClass" IN (''), CAST(NULL AS VARCHAR), "t0"."ChargeClass") AS "charge_class",
            IF("t0"."ChargeFrequency" IN (''), CAST(NULL AS VARCHAR), "t0"."ChargeFrequency") AS "charge_frequency",
            IF("t0"."ChargeDescription" IN (''), CAST(NULL AS VARCHAR), "t0"."ChargeDescription") AS "charge_description",
            IF(
              "t0"."CommitmentDiscountId" IN (''),
              CAST(NULL AS VARCHAR),
              "t0"."CommitmentDiscountId"
            ) AS "commitment_discount_id",
            IF(
              "t0"."CommitmentDiscountName" IN (''),
              CAST(NULL AS VARCHAR),
              "t0"."CommitmentDiscountName"
            ) AS "commitment_discount_name",
            IF(
              "t0"."CommitmentDiscountCategory" IN (''),
              CAST(NULL AS VARCHAR),
              "t0"."CommitmentDiscountCategory"
            ) AS "commitment_discount_category",
            IF(
              "t0"."CommitmentDiscountType" IN (''),
              CAST(NULL AS VARCHAR),
              "t0"."CommitmentDiscountType"
            ) AS "commitment_discount_type",
            IF(
              "t0"."CommitmentDiscountStatus" IN (''),
              CAST(NULL AS VARCHAR),
              "t0"."CommitmentDiscountStatus"
            ) AS "commitment_discount_status",
            IF(
              "t0"."CapacityReservationId" IN (''),
              CAST(NULL AS VARCHAR),
              "t0"."CapacityReservationId"
            ) AS "capacity_reservation_id",
            IF("t0"."SkuId" IN (''), CAST(NULL AS VARCHAR), "t0"."SkuId") AS "sku_id",
            IF("t0"."SkuPriceId" IN (''), CAST(NULL AS VARCHAR), "t0"."SkuPriceId") AS "sku_price_id",
            IF("t0"."SkuMeter" IN (''), CAST(NULL AS VARCHAR), "t0"."SkuMeter") AS "sku_meter",
            IF("t0"."SkuPriceDetails" IN (''), CAST(NULL AS VARCHAR), "t0"."SkuPriceDetails") AS "sku_price_details",
            IF("t0"."BillingCurrency" IN (''), CAST(NULL AS VARCHAR), "t0"."BillingCurrency") AS "billing_currency",
            IF("t0"."PricingCurrency" IN (''), CAST(NULL AS VARCHAR), "t0"."PricingCurrency") AS "pricing_currency",
            JSON_FORMAT(CAST("t0"."Tags" AS JSON)) AS "tags",
            CAST("t0"."BillingPeriodStart" AS TIMESTAMP) AS "billing_period_start",
            CAST("t0"."BillingPeriodEnd" AS TIMESTAMP) AS "billing_period_end",
            CAST("t0"."ChargePeriodStart" AS TIMESTAMP) AS "charge_period_start",
            CAST("t0"."ChargePeriodEnd" AS TIMESTAMP) AS "charge_period_end",
            "t0"."BilledCost" AS "billed_cost",
            "t0"."EffectiveCost" AS "effective_cost",
            "t0"."ListCost" AS "list_cost",
            "t0"."ContractedCost" AS "contracted_cost",
            "t0"."PricingCurrencyEffectiveCost" AS "pricing_currency_effective_cost"
          FROM "my-project"."billing"."focus" AS "t0"
        ) AS "t1"
      ) AS "t2"
    ) AS "t3"
    CROSS JOIN UNNEST(SEQUENCE(
      1,
      GREATEST(
        CARDINALITY(
          IF(
            NULLIF(1, 0) IS NOT NULL AND SIGN(1) = SIGN((
              "t3"."_months" + 1
            ) - 0),
            ARRAY_REMOVE(SEQUENCE(0, "t3"."_months" + 1, 1), "t3"."_months" + 1),
            ARRAY[]
          )
        )
      )
    )) AS _u(pos)
    CROSS JOIN UNNEST(IF(
      NULLIF(1, 0) IS NOT NULL AND SIGN(1) = SIGN((
        "t3"."_months" + 1
      ) - 0),
      ARRAY_REMOVE(SEQUENCE(0, "t3"."_months" + 1, 1), "t3"."_months" + 1),
      ARRAY[]
    )) WITH ORDINALITY AS _u_2("_k", pos_2)
    WHERE
      _u.pos = _u_2.pos_2
      OR (
        _u.pos > CARDINALITY(
          IF(
            NULLIF(1, 0) IS NOT NULL AND SIGN(1) = SIGN((
              "t3"."_months" + 1
            ) - 0),
            ARRAY_REMOVE(SEQUENCE(0, "t3"."_months" + 1, 1), "t3"."_months" + 1),
            ARRAY[]
          )
        )
        AND _u_2.pos_2 = CARDINALITY(
          IF(
            NULLIF(1, 0) IS NOT NULL AND SIGN(1) = SIGN((
              "t3"."_months" + 1
            ) - 0),
            ARRAY_REMOVE(SEQUENCE(0, "t3"."_months" + 1, 1), "t3"."_months" + 1),
            ARRAY[]
          )
        )
      )
  ) AS "t4"
) AS "t5"
GROUP BY
  1,
  2
