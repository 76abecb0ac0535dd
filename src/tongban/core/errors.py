"""Coded errors: every rule violation has a stable ``code`` that tests, the API and the UI share.

The API turns a TongbanError into ``{"code", "message", "field"}`` (see tongban.api);
the UI shows ``message``, which is Chinese. Add new codes to MESSAGES so the
translation lives next to the code.
"""

from __future__ import annotations

from typing import Any

# code -> Chinese message shown to users. Codes are stable; messages may be improved.
MESSAGES: dict[str, str] = {
    # generic
    "not_found": "未找到该对象",
    "permission_denied": "无权执行此操作",
    "not_authenticated": "请先登录",
    "region_scope": "超出您所管辖的行政区划范围",
    "invalid_input": "输入不符合要求",
    "conflict": "数据已被他人修改，请刷新后重试",
    # identity codes
    "id_number_format": "公民身份号码格式不正确（应为18位，最后一位可为X）",
    "id_number_checksum": "公民身份号码校验位不正确",
    "id_number_birthdate": "公民身份号码中的出生日期无效",
    "id_number_region": "公民身份号码中的行政区划代码无效",
    "uscc_format": "统一社会信用代码格式不正确（应为18位，不含I、O、Z、S、V）",
    "uscc_checksum": "统一社会信用代码校验位不正确",
    "region_code_format": "行政区划代码格式不正确（应为6位或12位数字）",
    "region_unknown": "行政区划不存在",
    # catalogue codes
    "catalog_code_format": "事项基本编码格式不正确（应为12位数字或大写字母）",
    "task_code_format": (
        "事项实施编码格式不正确（应为31位：统一社会信用代码18位+行使层级1位+基本编码12位）"
    ),
    "task_code_mismatch": "实施编码与实施机关、行使层级或基本编码不一致",
    "variant_code_format": "业务办理项编码格式不正确（应为实施编码后加2位数字）",
    "item_type_unknown": "事项类型不在国家事项类型清单内",
    "duplicate_code": "编码已存在",
    "version_published_immutable": "已发布的版本不可修改，请新建版本",
    "version_overlap": "该事项版本的有效期与已发布版本重叠",
    "version_not_draft": "只有草稿版本可以发布",
    "version_invalid_period": "有效期结束日期必须晚于开始日期",
    "version_backdated": "新版本的生效日期不能早于今天（不能追溯改变已适用的版本）",
    "time_limit_invalid": "承诺时限不得超过法定时限，且均不能为负数",
    "immediate_item_limit": "即办件的承诺时限应为0个工作日",
    "deferral_needs_flag": "只有允许容缺受理的事项才能设置可容缺材料",
    "material_source_licence_type": "材料来源为电子证照时必须指定证照类型",
    "scope_needs_partner": "区域通办事项必须指定合作地区",
    "mode_needs_scope": "通办模式只适用于设置了通办范围的事项",
    "commitment_excluded": "该类事项属于高风险事项，不适用告知承诺制",
    # agreements
    "agreement_party_count": "合作协议至少需要两个不同的地区",
    "agreement_no_items": "合作协议至少需要涵盖一个事项",
    "agreement_no_rights": "合作协议至少需要授予一项窗口权限",
    "agreement_not_active": "合作协议未生效或已失效",
    "agreement_scope_mismatch": (
        "协议地区与通办范围不符（跨省通办须涉及两个以上省份，省内通办须在同一省内）"
    ),
    "agreement_status_move": "合作协议不能从当前状态变更为该状态",
    "no_agreement_right": "该窗口没有合作协议授予的该事项收件受理权",
    "item_no_proxy_mode": "该事项未开通异地代收代办",
    # import
    "import_missing_sheet": "Excel 文件缺少工作表",
    "import_bad_headers": "Excel 工作表的表头与模板不一致",
    "import_duplicate_row": "Excel 中存在重复行",
    "import_required": "必填项为空",
    "import_bad_value": "取值不在允许范围内",
    "import_not_xlsx": "文件不是有效的 Excel (.xlsx) 文件",
    "import_unknown_reference": "引用的事项或材料不存在",
    "file_too_large": "文件超过大小上限",
    "request_too_large": "请求内容超过大小上限，请减少每次提交的文件或分批提交",
    # cases
    "illegal_transition": "办件当前状态不允许该操作",
    "reason_required": "该操作必须填写理由",
    "materials_missing": "必要材料尚未提交",
    "item_not_in_force": "该事项当前没有生效的版本，暂不能申请",
    "item_not_online": "该事项暂不支持网上申请，请到窗口办理",
    "delivery_address_required": "选择邮寄送达时必须填写送达地址",
    "idempotency_key_reused": "该幂等键已被其他申请使用",
    "applicant_identity_mismatch": "网上申请只能以本人名义提交，或以本人作为代理人/经办人提交",
    "case_number_exhausted": "该事项当日办件编号已用尽",
    "file_type_mismatch": "文件内容与声明的类型不符",
    "file_type_unsupported": "只接受 PDF、JPEG、PNG、OFD 格式的文件",
    "supplement_incomplete": "仍有需补正的材料未提交",
    "supplement_needs_materials": "补正告知必须列明需补正的材料",
    "commitment_not_allowed": "该事项不适用告知承诺制",
    "deferral_not_allowed": "该材料不允许容缺受理",
    "identity_check_required": "窗口收件须先核验申请人（或代理人）身份证原件",
    "no_verify_original_right": "本窗口没有合作协议授予的该事项原件核验权",
    "no_deliver_result_right": "本窗口没有合作协议授予的该事项审批结果送达权，请选择邮寄送达",
    "intake_batch_rejected": "批量收件中有申请不符合要求，整批未写入",
    "batch_duplicate_key": "同一批次中幂等键重复",
    "import_conflicting_rows": "同一基本编码或同一实施机关在多行中的信息不一致",
    "import_department_mismatch": "实施机关统一社会信用代码已登记，但名称或行政区划与文件不一致",
    # e-licences (电子证照)
    "licence_id_format": (
        "电子证照标识格式不正确"
        "（应为 1.2.156.3005.2.证照类型代码.颁发机构代码.流水号.版本号.校验位）"
    ),
    "licence_id_checksum": "电子证照标识校验位不正确",
    "licence_batch_size": "批量核验的证照数量须为 1 至 200 个",
    "licence_type_code_format": (
        "证照类型代码格式不正确（应为定义机构统一社会信用代码18位+3位顺序号）"
    ),
    "licence_type_unknown": "证照类型未登记",
    "licence_holder_code_type": "持证主体代码类型不正确（111 身份证号 或 001 统一社会信用代码）",
    "licence_validity_invalid": "有效期截止日期不能早于起始日期",
    "licence_already_valid": "该持证主体已有同类型的有效证照",
    "licence_not_issuer": "只有颁发机构的工作人员可以办理该证照业务",
    "licence_illegal_operation": "证照当前状态不允许该操作",
    "licence_not_holder": "该电子证照不属于申请人，不能使用",
    "licence_type_mismatch": "电子证照类型与所需材料不符",
    "licence_not_valid": "该电子证照当前无效（已暂扣、撤销、注销或过期），不能使用",
    "licence_material_not_exemptible": "该材料不能用电子证照免提交",
    "licence_pdf_invalid": "上传的文件不是 PDF",
    "licence_pdf_no_signature": "PDF 中没有找到电子证照签名数据",
    "licence_import_bad_header": "CSV 表头与导入模板不一致",
    "present_token_invalid": "亮证码无效",
    "present_token_expired": "亮证码已过期，请持证人重新出示",
    "evidence_answer_invalid": "证照签发节点的应答签名无效",
    # working-day calendar
    "calendar_beyond_known": (
        "工作日历尚未覆盖该日期所在年份，无法计算法定期限，请管理员更新工作日历"
    ),
}


class TongbanError(Exception):
    """A business-rule violation. ``status`` is the HTTP status the API answers with."""

    status = 400

    def __init__(
        self,
        code: str,
        message: str | None = None,
        *,
        field: str | None = None,
        details: Any = None,
    ) -> None:
        self.code = code
        self.message = message or MESSAGES.get(code, code)
        self.field = field
        self.details = details
        super().__init__(f"{code}: {self.message}")

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message, "field": self.field}
        if self.details is not None:
            body["details"] = self.details
        return body


class ValidationFailed(TongbanError):
    status = 422


class NotFound(TongbanError):
    status = 404

    def __init__(self, what: str = "", *, field: str | None = None) -> None:
        msg = f"未找到{what}" if what else None
        super().__init__("not_found", msg, field=field)


class PermissionDenied(TongbanError):
    status = 403


class NotAuthenticated(TongbanError):
    status = 401

    def __init__(self) -> None:
        super().__init__("not_authenticated")


class Conflict(TongbanError):
    status = 409
