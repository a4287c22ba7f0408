SELECT
  "t3"."service_name" AS "k0",
  "t3"."region_id" AS "k1",
  "t3"."pricing_currency",
  SUM("t3"."pricing_currency_effective_cost") AS "amount"
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
    "t2"."billing_period_start" AS "_month"
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
  WHERE
    "t2"."pricing_currency" IS NOT NULL
    AND NOT (
      "t2"."pricing_currency" IS NOT DISTINCT FROM "t2"."billing_currency"
    )
) AS "t3"
GROUP BY
  1,
  2,
  3
