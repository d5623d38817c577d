namespace ReturnsHelper.Tests.Webhooks;

/// <summary>
/// Event bodies in the documented shapes (Return Helper docs, Webhook.rst; API notes 8.6), trimmed of fields the
/// parser does not read but keeping every representation quirk: ids as strings, codes as integers, misspellings.
/// </summary>
internal static class WebhookSamples
{
    /// <summary>The documented newInventoryCreated sample, verbatim in shape: note the empty category and action.</summary>
    public const string NewInventoryCreatedDocs = """
        {
            "returnInventory": {
                "returnInventoryId": "19973",
                "warehouseId": 2,
                "apiId": 21,
                "description": "un-line-item-001",
                "quantity": 1,
                "dimension1": 20, "dimension2": 20, "dimension3": 22, "dimensionUom": "cm",
                "weight": 300, "weightUom": "g",
                "valueCurrencyCode": "usd", "value": 10,
                "handlingCode": "tbc",
                "handlingStatusCode": "pending",
                "completeOn": null,
                "warehouseRemarks": null,
                "handlingUpdatedOn": "2024-07-15T03:29:53.889398",
                "sku": null,
                "rma": "USE-2-240715-D00003-30",
                "modifyOn": "2024-07-15T03:29:53.903982",
                "createOn": "2024-07-15T03:29:53.88968",
                "imageList": [
                    { "imageUrl": "https://rr-dev-files.returnshelper.com/images/returns/202407/USE-2-240715-D00003-30-bw5twko3.gzf.jpg",
                      "imageKey": "images/returns/202407/USE-2-240715-D00003-30-bw5twko3.gzf.jpg" }
                ],
                "returnInventoryMetaList": [ { "metaType": "shipmentCustomField", "metaMap": { "CSA01": "AAA", "CSB02": "BBB" } } ]
            },
            "shipment": {
                "shipmentId": "9999",
                "returnRequestId": "1234",
                "trackingNumber": "{{trackingNumber}}",
                "referenceNumber": "",
                "serviceType": "fedex",
                "customFieldMap": { "CSA01": "AAA", "CSB02": "BBB" },
                "shipToWarehouseId": 2,
                "receiveDate": "2019-01-01T00:00:00.000000"
            },
            "category": "",
            "action": "",
            "eventTime": "2024-07-15T03:30:05.1984163Z",
            "version": "202207"
        }
        """;

    /// <summary>newInventoryCreated as the emulator (and a fixed Return Helper) sends it; shipToWarehouse as the table spells it.</summary>
    public const string NewInventoryCreated = """
        {"category":"newInventoryCreated","action":"newInventoryCreated","eventTime":"2024-07-15T03:30:05.1984163Z","version":"202407",
         "notificationId":"01J9B2C2B8HNR1DRGA74BJQQB5",
         "returnInventory":{"returnInventoryId":"100042","warehouseId":"2","apiId":21,"handlingCode":"tbc","handlingStatusCode":"pending","rma":"USE-2-240715-D00042-11","createOn":"2024-07-15T03:29:53.88968Z"},
         "shipment":{"shipmentId":"100500","returnRequestId":"500","trackingNumber":"9400000000000000000500","serviceType":"usps","shipToWarehouse":2,"receiveDate":"2024-07-15T03:29:00Z"}}
        """;

    public const string RecallUpdateTracking = """
        {
          "recall": {
            "apiId": 103, "recallId": 938, "recallNumber": "RCL240423-0000001", "recallStatusCode": "in-progress", "warehouseRemarks": null,
            "recallInventoryList": [
              { "recallInventoryId": 1145, "returnInventoryId": 18600, "recallInventoryStatusCode": "in-transit", "pickUpCode": "pending",
                "trackingNumber": "S240423-0000018-AWB", "listName": null, "weight": null, "amount": null, "pickUpOn": null,
                "courierTrackingNumber": null, "remarks": null, "recallServiceType": "dhl", "rma": "USE-1005-240523-D00001-25" }
            ]
          },
          "recallUpdateTypeStatus": "updateTrackingNumber",
          "category": "recall",
          "action": "recallUpdateStatus",
          "eventTime": "2024-04-23T07:50:49.2479819Z"
        }
        """;

    /// <summary>The 2021 form: integer status and update type, ids as strings, top-level trackingNumber, misspelt remarks.</summary>
    public const string RecallUpdate2021 = """
        {"recall":{"apiId":"21","recallId":"77","warehouseId":"3","recallNumber":"RCL210801-0000007","recallStatusCode":1,"warehosueRemarks":"on its way",
          "recallInventoryList":[{"recallInventoryId":"501","returnInventoryId":"3929","recallInventoryStatusCode":"in-transit","pickUpCode":"pending","trackingNumber":null}]},
         "recallUpdateTypeStatus":0,"trackingNumber":"AWB-2021-0801","category":"recall","action":"recallUpdateStatus","eventTime":"2021-08-01T10:00:00.1234567Z"}
        """;

    public static string RecallUpdateWithType(string typeJson) => $$"""
        {"recall":{"recallId":938,"recallNumber":"RCL240423-0000001","recallStatusCode":"completed","recallInventoryList":[{"recallInventoryId":1145,"returnInventoryId":18600,"recallInventoryStatusCode":"picked-up","pickUpCode":"courier-pick-up","trackingNumber":"S240423-0000018-AWB","courierTrackingNumber":"DHL S240423-0000018"}]},
         "recallUpdateTypeStatus":{{typeJson}},"category":"recall","action":"recallUpdateStatus","eventTime":"2024-04-23T09:03:38.4028454Z"}
        """;

    public const string CompleteInventoryHandling = """
        {
          "returnInventory": {
            "returnInventoryId": 18203, "warehouseId": 2, "returnRequestLineItemId": 38348, "apiId": 2, "returnRequestId": 64004,
            "returnRequestLineItemNumber": "RL240408-0000013", "description": "AA BB CC DD EE", "quantity": 1,
            "weight": 123.0, "weightUom": "g", "valueCurrencyCode": "usd", "value": 22.0,
            "handlingCode": 2, "handlingStatusCode": 2, "completeBy": "3", "completeOn": "2024-04-08T07:43:55.0619393Z",
            "warehouseRemarks": null, "handlingUpdatedOn": "2024-04-08T07:43:55.0623048Z", "stopAgingOn": null, "sku": null,
            "warehouseApiId": 3, "modifyOn": "2024-04-08T07:43:55.0652602Z", "modifyBy": "2", "createOn": "2024-04-08T07:39:09.2626", "createBy": "3"
          },
          "category": "rinv",
          "action": "completeInventoryHandling",
          "eventTime": "2024-04-08T07:44:05.68514Z"
        }
        """;

    public const string LabelSuccess = """
        {"label":{"correlationId":null,"meta":null,"labelId":11345,"referenceNumber":"ystest07110001","shipmentId":10825,"apiId":21,"refKey":"S210904-0000202",
          "labelRequestId":3778,"labelRequestStatusCode":"success","serviceType":"usps","trackingNumber":"9201994884299101443342",
          "labelUrl":"https://label-service-dev-files.returnshelper.com/label/202112/4495-S211229-0000037-attc2xihut0.pdf","error":null,
          "qrcodeUrl":"https://label-service-dev-files.returnshelper.com/label/202112/4495-S211229-0000037-qrebtcjpxne.png","qrcodeError":null,
          "cancelCutoffTime":"2024-02-11T09:21:24.0795","regions":{"RHCN":"https://label.returnhelperchina.com/label/202401/x.pdf"}},
         "category":"labelGenerated","action":"labelGenerated","eventTime":"2021-09-04T17:03:15.8888073Z"}
        """;

    public const string LabelFailed = """
        {"label":{"correlationId":null,"meta":null,"labelId":"11352","shipmentId":"10833","apiId":103,"refKey":"S210906-0000085","labelRequestId":3782,
          "labelRequestStatusCode":"fail","serviceType":"ap","trackingNumber":null,"labelUrl":null,
          "error":"\"{\\\"errors\\\":[{\\\"code\\\":\\\"400\\\",\\\"message\\\":\\\"Your combination of suburb, state & postcode doesn't match.\\\"}]}\""},
         "category":"labelGenerated","action":"labelGenerated","eventTime":"2021-09-06T08:16:33.4674332Z"}
        """;

    /// <summary>markShipmentArrive version 1: inventories with integer codes, the return request, the label (integer status).</summary>
    public const string ShipmentArrivedV1 = """
        {
          "returnInventoryList": [
            { "returnInventoryId": 19078, "warehouseId": 1005, "returnRequestLineItemId": 39555, "apiId": 103, "returnRequestId": 64945,
              "description": "TULIPLA/Clothing/Fit - Cups too small", "quantity": 1, "weight": 500.0, "weightUom": "g",
              "handlingCode": 0, "handlingStatusCode": 0, "rma": "USE-1005-240523-D00001-25", "createOn": "2024-05-23T01:36:18.778048" }
          ],
          "returnRequest": { "returnRequestId": 64945, "apiId": 103, "returnRequestNumber": "BR240711-0000004", "returnStatusCode": 0 },
          "shipment": { "shipmentId": 33838, "apiId": 103, "returnRequestId": 64945, "labelId": 34493, "warehouseId": 1005,
            "shipmentNumber": "BRS240711-0000004", "shipmentStatusCode": 6, "shipmentServiceType": "nrhl", "receiveDate": "2024-05-23T01:36:18.7431041Z",
            "referenceNumber": null },
          "label": { "labelId": 34493, "shipmentId": 33838, "apiId": 103, "refKey": "BRS240711-0000004", "labelRequestId": 0, "labelRequestStatusCode": 3,
            "serviceType": "nrhl", "trackingNumber": "T-20240523010504", "labelUrl": null, "error": null },
          "lineItems": [ { "returnRequestLineItemId": 39555, "handlingCode": 0 } ],
          "category": "rsl",
          "action": "markShipmentArrive",
          "eventTime": "2024-05-23T01:36:29.6096847Z"
        }
        """;

    /// <summary>markShipmentArrive version 2 (the documented sample plus the envelope the table lists).</summary>
    public const string ShipmentArrivedV2 = """
        {"shipment":{"shipmentId":"9999","returnRequestId":"1234","trackingNumber":"tracking1234","referenceNumber":"","serviceType":"fedex",
          "customFieldMap":{"Key01":"Value01","Key02":"Value02"},"shipToWarehouseId":3,"receiveDate":"2024-01-01T01:00:00.000000"},
         "category":"rsl","action":"markShipmentArrive","eventTime":"2024-07-20T01:00:00.0000000Z","version":"202407"}
        """;

    public const string WarehouseRemarks = """
        {"returnRequest":{"returnRequestId":54521},"shipment":{"shipmentId":23549,"shipmentStatusCode":"6"},
         "returnInventory":{"returnInventoryId":13790,"warehouseId":3,"handlingCode":"rtn","handlingStatusCode":"completed","warehouseRemarks":"cool","sku":null},
         "category":"warehouseUpdateWarehouseRemarks","action":"warehouseUpdateWarehouseRemarks","eventTime":"2022-10-14T10:10:24.866958Z"}
        """;

    public const string VasUpdated = """
        {"updateVasList":[{"returnRequestLineItemVasId":1468,"vasResult":"apiTestResult1","vasStatusCode":1,"imageUrlList":null}],
         "category":"rrliv","action":"vasUpdated","eventTime":"2021-07-06T12:15:55.9038524Z"}
        """;

    public const string RmaSwapped = """
        {"payload":{"userApiId":21,"clientCode":"RH21","returnInventoryId":"19029","oldRma":"USE-2-240517-D00026-56","newRma":"USE-2-240520-D00001-35"},
         "category":"notifyUserRmaSwapped","action":"notifyUserRmaSwapped","eventTime":"2024-05-23T06:26:43.4416977Z"}
        """;

    public const string ConsolidatedShipped = """
        {"shipment":{"consolidateShippingOrderId":12,"awb":"AWB-1","serviceProvider":"dhl"},
         "category":"consolidateShippingShipmentShipped","action":"consolidateShippingShipmentShipped","eventTime":"2024-10-01T00:00:00Z",
         "version":"202410","notificationId":"01J9B2C2B8HNR1DRGA74BJQQB5"}
        """;
}
