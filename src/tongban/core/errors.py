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
    "licence_transfer_same_issuer": "转入机构与原颁发机构相同，无需转入转出",
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
    # ratings (好差评)
    "rating_level_invalid": "评价等级必须为1至5（非常不满意至非常满意）",
    "rating_indicator_unknown": "评价指标不属于该评价渠道",
    "rating_comment_too_long": "评价内容不能超过500字",
    "rating_not_own_case": "只能评价本人申请的办件",
    "rating_not_window_case": "评价器只能打开本窗口收件的办件",
    "rating_channel_invalid": "评价渠道不正确",
    "rating_stage_invalid": "评价环节只能为受理或办结",
    "rating_target_invalid": "该办件没有这一评价对象（非跨地区办件只评价办理部门）",
    "rating_stage_not_reached": "办件尚未完成该环节，暂不能评价",
    "rating_duplicate": "该环节已评价过，同一环节只能评价一次",
    "rectification_action_unknown": "整改操作不正确",
    "rectification_text_too_long": "填写内容过长",
    "rectification_illegal_transition": "整改任务当前状态不允许该操作",
    "rectification_role": "无权对该整改任务执行此操作",
    "rectification_note_required": "该操作必须填写说明",
    "rectification_outcome_required": "提交整改结果时必须填写可公开的处理结果",
    "rectification_due_days_invalid": "整改时限必须为1至60个工作日",
    # supervision (电子监察)
    "warning_rule_invalid": "预警阈值超出范围（剩余工作日0至60，占比0至100）",
    "text_too_long": "内容不能超过2000字",
    "note_required": "请填写办结说明",
    "card_closed": "该预警牌已办结",
    "escalation_active": "该预警牌已有未办结的督办",
    "escalation_request_required": "请填写督办要求",
    "escalation_reply_days": "答复时限应为1至30个工作日",
    "escalation_no_addressee": "该预警牌没有可督办的责任单位",
    "escalation_closed": "督办已办结，不能再答复或变更",
    "escalation_already_replied": "该督办已答复，等待监察人员办结",
    "escalation_not_addressee": "只有被督办单位的工作人员可以答复",
    "escalation_reply_required": "请填写答复内容",
    "escalation_outcome_required": "请填写督办办结意见",
    "period_invalid": "统计期间不正确（开始日期不能晚于结束日期，跨度不超过一年）",
    "report_month_invalid": "通报月份不正确（须为已结束的月份）",
    # cases across nodes, 多地联办, evidence queries
    "remote_transfer_too_large": "办件材料总量超过节点间单次传输上限",
    "remote_file_digest_mismatch": "收到的材料文件与其摘要不符",
    "remote_not_served": "该事项不由本节点办理",
    "remote_version_unknown": "本节点没有该事项的对应版本",
    "remote_sender_required": "该消息只能来自其他节点",
    "case_decided_elsewhere": "该办件由其他节点的部门办理，本节点只能办理窗口事项",
    "case_taken_in_elsewhere": "该办件由其他节点收件，补正、撤回等须在收件地办理",
    "joint_needs_parts": "多地联办至少包含两个不同的事项部分",
    "item_no_joint_mode": "该事项未开通多地联办",
    "no_joint_agreement": "本窗口与办理地之间没有开通多地联办的合作协议",
    "not_joint_application": "该办件不是多地联办申请",
    "recipient_id_required": "他人代领结果须登记代领人的公民身份号码",
    "dead_letter_not_found": "没有该死信（可能已重新投递或已送达）",
    "joint_withdraw_whole": "多地联办申请须整体撤回（连同各部分），请使用“撤回整个联办申请”",
    "evidence_kind_unknown": "对端节点没有该类核验服务",
    "evidence_consent_required": "数据共享核验须记录申请人的授权同意",
    "evidence_purpose_required": "数据共享核验须以办件编号说明用途",
    # working-day calendar
    "calendar_beyond_known": (
        "工作日历尚未覆盖该日期所在年份，无法计算法定期限，请管理员更新工作日历"
    ),
    "calendar_assumption_refused": (
        "生产环境不得假定工作日历，请由管理员录入国务院放假通知后声明年份完整"
    ),
    # federation (node registry, envelopes, delivery between nodes)
    "node_not_configured": "本节点未配置节点标识 (TONGBAN_NODE_ID)",
    "node_key_missing": "本节点没有当前有效的签名密钥，请执行 tongban node init 或轮换密钥",
    "registry_unavailable": "无法读取节点注册表",
    "registry_malformed": "节点注册表格式不正确",
    "registry_unsigned": "节点注册表未经枢纽签名，拒绝使用",
    "registry_signature_invalid": "节点注册表的枢纽签名无效，拒绝使用",
    "registry_expired": "节点注册表不在有效期内，拒绝使用",
    "region_no_node": "注册表中没有服务该行政区划的节点",
    "peer_unknown": "注册表中没有该节点",
    "peer_unreachable": "对方节点暂时无法连接",
    "peer_rejected": "对方节点拒绝了请求",
    "peer_answer_invalid": "对方节点的应答未通过验证",
    "rpc_handler_error": "对方节点处理请求时出错",
    "envelope_malformed": "消息信封格式不正确",
    "recipient_mismatch": "消息的接收节点不是本节点",
    "sender_unknown": "发送节点不在注册表中",
    "sender_expired": "发送节点的注册已过期",
    "key_unknown": "签名密钥不属于发送节点",
    "key_expired": "签名密钥不在有效期内",
    "payload_digest_mismatch": "消息内容与摘要 (SM3) 不符",
    "signature_invalid": "消息签名无效",
    "timestamp_outside_window": "消息时间超出允许范围（可能是重放）",
    "duplicate": "重复的消息（已处理过）",
    "seq_already_applied": "该序号的消息已处理过",
    "regions_missing": "消息未声明所涉行政区划",
    "region_not_served": "发送节点不服务消息所涉的行政区划",
    "type_unknown": "本节点不处理该类消息",
    "schema_version_unsupported": "不支持该消息格式版本",
    "schema_invalid": "消息内容不符合格式定义",
    "consumer_failed": "处理消息时出错，等待重发",
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
